"""JupyterHub's Authenticator over the kit's accounts (:mod:`kit.hub.accounts`).

A refused login raises an HTTP 403 whose message is the Chinese reason: JupyterHub's
LoginHandler shows it on the login page itself.  ``refresh_user`` runs every
:data:`REFRESH` seconds on each request of a logged-in user: an account removed or
locked since, or idle longer than :data:`IDLE_SECONDS` (30 minutes; ``KIT_HUB_IDLE_SECONDS``),
must log in again.

An account flagged ``must_change`` (its password set by the administrator) may log in
but gets no server until it has changed its password on ``/hub/change-password``
(:mod:`kit.hub.pages`): :meth:`KitAuthenticator.pre_spawn_start` refuses to start one,
and a server already running when the flag was set is stopped at the account's next
request to the hub (``refresh_user``).
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from typing import Any

from jupyterhub.auth import Authenticator
from tornado import web

from kit.hub.accounts import ADMIN, Accounts
from kit.user_numbers import from_environment

REFRESH = from_environment("KIT_HUB_REFRESH_SECONDS", 60, 1, 3600)
IDLE_SECONDS = from_environment("KIT_HUB_IDLE_SECONDS", 1800, 1, 24 * 3600)


class KitAuthenticator(Authenticator):
    """Only accounts of the working folder's book; never an open sign-up."""

    def _book(self) -> Accounts:
        return Accounts(os.environ["KIT_ROOT"])

    async def authenticate(self, handler: Any, data: dict[str, str]) -> dict[str, Any] | None:
        account = (data.get("username") or "").strip()
        # argon2 takes tens of ms on purpose: off the hub's event loop
        found, why = await asyncio.to_thread(self._book().login, account,
                                             data.get("password") or "")
        if found is None:
            raise web.HTTPError(403, why)
        return {"name": found.account, "admin": found.role == ADMIN,
                "groups": [found.role]}

    def get_handlers(self, app: Any) -> list[tuple[str, type]]:
        from kit.hub.pages import handlers

        return handlers()

    def pre_spawn_start(self, user: Any, spawner: Any) -> None:
        found = self._book().get(user.name)
        if found is not None and found.must_change:
            why = "请先修改初始密码（“修改密码”页面），然后再打开填报或审阅页面。"
            err = web.HTTPError(403, why)
            err.jupyterhub_message = why  # type: ignore[attr-defined]  # the error page shows it
            raise err

    def check_allowed(self, username: str, authentication: Any = None) -> bool:
        return self._book().get(username) is not None  # authenticate has checked the rest

    async def refresh_user(self, user: Any, handler: Any = None, **kwargs: Any) -> Any:
        found = self._book().get(user.name)
        if found is None or found.locked():
            return False
        spawner = user.spawner
        if found.must_change and handler is not None and spawner.active and not spawner.pending:
            # Reset by the administrator while its server runs: stopped, and not started
            # again (pre_spawn_start) until the owner has changed the password.
            await handler.stop_single_user(user)
        # Idle since the later of the last activity the hub saw and the last login.
        last = datetime.fromtimestamp(found.last_login, UTC)
        if user.last_activity is not None:
            seen = user.last_activity
            last = max(last, seen if seen.tzinfo else seen.replace(tzinfo=UTC))
        return datetime.now(UTC) - last <= timedelta(seconds=IDLE_SECONDS)
