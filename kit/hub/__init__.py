"""``kit hub``: the county server.  JupyterHub does the logins, cookies and routing;
the kit supplies what is its own:

* :mod:`kit.hub.accounts` — the accounts (账号, 姓名, 单位, 角色), argon2-hashed
  passwords, the password rule, lockout after wrong passwords, and the audit trail,
  in one SQLite file in the working folder's hidden ``.kit-hub/``;
* :mod:`kit.hub.authenticator` — JupyterHub's Authenticator over those accounts;
* :mod:`kit.hub.spawner` — each account's own server: Voilà on the form (填报) or the
  review notebook (审阅), JupyterLab for 管理, the account's units in the kernel's
  environment (``KIT_UNITS``), checked again on every open and save (:mod:`kit.hub.scope`);
* :mod:`kit.hub.voila` — Voilà behind the hub's OAuth (no code from the page runs);
* :mod:`kit.hub.config` — the JupyterHub configuration, ``kit hub`` itself.
"""
