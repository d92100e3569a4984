"""Each account's own server, started by the hub as a process of the hub's user.

填报: Voilà on the form notebook; 审阅: Voilà on the review notebook; 管理: JupyterLab
(in Chinese).  The account's units go to the kernel as ``KIT_UNITS`` (read from the
accounts file at each start, so a changed account takes effect at its next start),
and :mod:`kit.hub.scope` checks them on every open and save in the kernel.  The
processes share the hub's system user: what keeps a clerk out of other units' files
is that a clerk's server runs no code a page sends (see :mod:`kit.hub.voila`).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from jupyterhub.spawner import SimpleLocalProcessSpawner

from kit import project
from kit.form.serve import jupyter_path, lab_config_path
from kit.hub.accounts import ADMIN, REVIEWER, Accounts
from kit.hub.scope import ACCOUNT_ENV, UNITS_ENV
from kit.project import Workspace


class KitSpawner(SimpleLocalProcessSpawner):
    """The hub's spawner: the command and environment follow the account's role."""

    def _folders(self) -> Workspace:
        return Workspace.at(os.environ["KIT_ROOT"])

    def _account(self):
        found = Accounts(self._folders().root).get(self.user.name)
        if found is None or found.locked():
            raise RuntimeError(f"账号 {self.user.name} 不存在或已锁定")
        return found

    def get_env(self) -> dict[str, str]:
        env = super().get_env()
        folders = self._folders()
        found = self._account()
        env.update(folders.env())
        env[ACCOUNT_ENV] = found.account
        env["KIT_REVIEWER"] = found.account  # decisions are recorded under the account
        if found.role != ADMIN:
            env[UNITS_ENV] = json.dumps(list(found.units), ensure_ascii=False)
        env["JUPYTER_PATH"] = jupyter_path(env)
        env["JUPYTER_CONFIG_PATH"] = lab_config_path(env)
        env["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
        return env

    async def start(self):
        found = self._account()
        folders = self._folders()
        if found.role == ADMIN:
            self.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
            self.args = [f"--ServerApp.root_dir={folders.root}", "--ServerApp.default_url=/lab",
                         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                         "--LabApp.extension_manager=readonly"]
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                self.args.append("--allow-root")
        else:
            name = project.REVIEW_NOTEBOOK if found.role == REVIEWER else project.FORM_NOTEBOOK
            notebook = project.working_notebook(name, folders.root)
            self.cmd = [sys.executable, "-m", "kit.hub.voila"]
            self.args = [str(notebook)]
        Path(self.home_dir).mkdir(parents=True, exist_ok=True, mode=0o700)
        return await super().start()
