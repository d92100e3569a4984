# The kit's JupyterHub configuration (kit hub runs JupyterHub with this file).
# Everything is set in kit.hub.config.configure, from the environment kit hub sets.
from kit.hub.config import configure

configure(c)  # type: ignore[name-defined]  # noqa: F821  # JupyterHub's config object
