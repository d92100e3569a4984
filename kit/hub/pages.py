"""The hub's own pages, added by :meth:`kit.hub.authenticator.KitAuthenticator.get_handlers`
(JupyterHub serves them under ``/hub/``, before its own handlers of the same path).

- ``/hub/change-password`` (修改密码): old password, new, new again; JupyterHub's
  ``_xsrf`` check on the form; the rule of :func:`kit.hub.accounts.password_problem`;
  written to the audit record.
- ``/hub/login``: JupyterHub's login, except that an account whose password was set by
  the administrator (``must_change``) is sent to 修改密码 first.  Sending is only the
  page's courtesy: what keeps such an account from its server is
  :meth:`KitAuthenticator.pre_spawn_start`, which refuses to start it.
- ``/hub/token``: only for 管理 accounts; 填报 and 审阅 need no API token and get 404.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any
from urllib.parse import urlencode

from jupyterhub.handlers.base import BaseHandler
from jupyterhub.handlers.login import LoginHandler
from jupyterhub.handlers.pages import TokenPageHandler
from tornado import web

from kit.hub.accounts import Accounts

CHANGE_PASSWORD = "change-password"


def _book() -> Accounts:
    return Accounts(os.environ["KIT_ROOT"])


def must_change(name: str) -> bool:
    found = _book().get(name)
    return found is not None and found.must_change


class KitLoginHandler(LoginHandler):
    def get_next_url(self, user: Any = None, default: Any = None) -> str:
        url = super().get_next_url(user, default)
        if user is not None and must_change(user.name):
            return self.hub.base_url + CHANGE_PASSWORD + "?" + urlencode({"next": url})
        return url


class ChangePasswordHandler(BaseHandler):
    def _page(self, error: str = "", done: bool = False) -> Any:
        user = self.current_user
        return self.render_template(
            "change_password.html", error=error, done=done,
            must_change=must_change(user.name),
            next_url=self._validate_next_url(self.get_argument("next", "")))

    @web.authenticated
    async def get(self) -> None:
        self.finish(await self._page())

    @web.authenticated
    async def post(self) -> None:  # BaseHandler has checked _xsrf before this runs
        user = self.current_user
        old = self.get_body_argument("old_password", "")
        new = self.get_body_argument("new_password", "")
        if new != self.get_body_argument("new_password2", ""):
            self.set_status(400)
            self.finish(await self._page("两次输入的新密码不一致，请重新输入。"))
            return
        # argon2 takes tens of ms on purpose: off the hub's event loop
        why = await asyncio.to_thread(_book().change_password, user.name, old, new)
        if why is not None:
            self.set_status(400)
            self.finish(await self._page(why))
            return
        next_url = self._validate_next_url(self.get_argument("next", ""))
        if next_url:
            self.redirect(next_url)
            return
        self.finish(await self._page(done=True))


class KitTokenHandler(TokenPageHandler):
    @web.authenticated
    async def get(self) -> None:
        if not self.current_user.admin:
            raise web.HTTPError(404)
        await super().get()


def handlers() -> list[tuple[str, type]]:
    return [("/login", KitLoginHandler), ("/" + CHANGE_PASSWORD, ChangePasswordHandler),
            ("/token", KitTokenHandler)]
