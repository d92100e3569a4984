"""``python -m kit.server``: the kept process (started by ``kit build``, see kit.server)."""

from kit.server.serve import main

if __name__ == "__main__":
    raise SystemExit(main())
