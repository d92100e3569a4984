"""One account's Voilà behind the hub: ``python -m kit.hub.voila NOTEBOOK``.

Voilà's own server (not a Jupyter server with Voilà added): it has no contents API,
no terminals and no way to start a kernel of one's choosing, and its kernels accept
only widget (comm) and kernel-info messages from the page — never ``execute_request``
(Voilà's ``allowed_message_types``).  Who may open it is the hub's business: JupyterHub's
own single-user identity provider (OAuth with the hub, ``access:servers`` of this
server's owner only), adapted to Voilà's stand-alone application below.  Everything the
spawner passes is in the environment (JUPYTERHUB_API_TOKEN among it), never on the
command line.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

# Not imported in this process (before Jupyter's modules are): jsonschema loads
# rfc3987_syntax, if installed, for one string format of jupyter_events' schemas, and it
# builds a grammar on import — 1.6 s of CPU and 20 MB in each clerk's server, for checks
# this server never makes.  (None in sys.modules makes its import fail, which jsonschema
# expects.)
for _unused in ("rfc3987_syntax",):
    sys.modules.setdefault(_unused, None)  # type: ignore[arg-type]

from jupyter_server.utils import url_path_join  # noqa: E402
from jupyterhub.singleuser.extension import (  # noqa: E402
    JupyterHubAuthorizer,
    JupyterHubIdentityProvider,
)
from voila.app import Voila  # noqa: E402
from voila.request_info_handler import RequestInfoSocketHandler  # noqa: E402

from kit import project  # noqa: E402
from kit.form.serve import IDLE_LIMIT  # noqa: E402
from kit.hub.pool import OnePageKernels  # noqa: E402


class HubIdentity(JupyterHubIdentityProvider):
    """JupyterHub's identity provider for Voilà's stand-alone app, which passes a
    ``token`` (the hub's is used instead) and mounts the handlers without its base URL."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("token", None)  # Voilà's own token: not used behind the hub
        super().__init__(**kwargs)

    @property
    def token(self) -> str:
        return self.hub_auth.api_token

    def get_handlers(self) -> list:
        base = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
        return [(url_path_join(base, path), *rest) for path, *rest in super().get_handlers()]


def argv(notebook: str) -> list[str]:
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    return [notebook, "--no-browser", f"--Voila.ip={url.hostname or '127.0.0.1'}",
            f"--port={url.port}", "--Voila.port_retries=0",
            f"--Voila.base_url={os.environ.get('JUPYTERHUB_SERVICE_PREFIX', '/')}",
            f"--Voila.identity_provider_class={HubIdentity.__module__}.HubIdentity",
            f"--Voila.authorizer_class={JupyterHubAuthorizer.__module__}.JupyterHubAuthorizer",
            *preheat(notebook),
            "--strip_sources=True", "--show_tracebacks=False", "--theme=light",
            "--template=kit", "--Voila.log_level=WARN",
            f"--MappingKernelManager.cull_idle_timeout={IDLE_LIMIT}",
            "--MappingKernelManager.cull_interval=30",
            "--MappingKernelManager.cull_connected=False",
            # Kernels on Unix sockets in the account's own folder (the spawner's working
            # directory), not TCP ports: tens of kernels starting at once on TCP race for
            # ports (「Address already in use」), and no other local user can connect.
            "--KernelManager.transport=ipc"]


def preheat(notebook: str) -> list[str]:
    """For the form: one kernel kept ready with the form already run (kit.hub.pool).
    Not for the review page, whose lists and decisions would be as of the kernel's
    making, not of the reviewer's arrival."""
    if Path(notebook).name != project.FORM_NOTEBOOK:
        return []
    return ["--preheat_kernel=True", "--pool_size=1",
            f"--VoilaConfiguration.multi_kernel_manager_class="
            f"{OnePageKernels.__module__}.{OnePageKernels.__name__}"]


ACTIVITY_SECONDS = 30


def _last_activity(kernels: Any, kernel_id: str) -> Any:
    """A kernel's last activity; None for one still starting (which has none yet, and
    ``list_kernels`` raises on it: a TraitError that lost the whole report)."""
    from tornado.web import HTTPError
    from traitlets import TraitError

    try:
        return kernels.get_kernel(kernel_id).last_activity
    except (HTTPError, KeyError, TraitError):  # gone since listed, or still starting
        return None


async def report_activity(kernels: Any, last: list[str]) -> None:
    """Tell the hub when this server's kernels last had traffic (what a clerk does in
    the form is websocket traffic the hub does not see): the idle culler and the
    session's idle limit go by it.  jupyterhub-singleuser does the same for JupyterLab."""
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest

    times = [t for kid in list(kernels.list_kernel_ids())
             if (t := _last_activity(kernels, kid)) is not None]
    if not times:
        return
    latest = max(times)
    latest = latest if isinstance(latest, str) else latest.isoformat()
    if last and latest <= last[0]:
        return
    body = {"servers": {os.environ.get("JUPYTERHUB_SERVER_NAME", ""): {"last_activity": latest}},
            "last_activity": latest}
    request = HTTPRequest(os.environ["JUPYTERHUB_ACTIVITY_URL"], method="POST",
                          headers={"Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}",
                                   "Content-Type": "application/json"},
                          body=json.dumps(body))
    try:
        await AsyncHTTPClient().fetch(request)
        last[:] = [latest]
    except Exception as err:  # noqa: BLE001  # the hub restarting: tell it next time
        print(f"activity not reported to the hub: {err}", file=sys.stderr)


class HubVoila(Voila):
    """Voilà without the one route it adds for preheated kernels: a websocket, open to
    anyone (no login), that hands a waiting kernel the request that took it
    (``voila.utils.wait_for_request``).  The form waits for no request (it reads the
    file list when the page connects), so the route is left out."""

    def init_handlers(self) -> list:
        return [h for h in super().init_handlers() if h[1] is not RequestInfoSocketHandler]


def main() -> None:
    from tornado.ioloop import IOLoop, PeriodicCallback

    sys.argv = [sys.argv[0], *argv(sys.argv[1])]
    # One page per kernel here: ipywidgets' echo of each of the page's own updates back to
    # it (for several pages on one kernel) is a message per keystroke the clerk never
    # needs; its kernels inherit this.
    os.environ["JUPYTER_WIDGETS_ECHO"] = "0"
    app = HubVoila.instance()
    app.initialize()
    last: list[str] = []
    if os.environ.get("JUPYTERHUB_ACTIVITY_URL"):
        IOLoop.current().add_callback(lambda: PeriodicCallback(
            lambda: report_activity(app.kernel_manager, last), ACTIVITY_SECONDS * 1000).start())
    app.start()


if __name__ == "__main__":
    main()
