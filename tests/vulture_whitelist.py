# Names vulture (the dead-code check of tests/test_setup.py) cannot see used: each is
# called or read by a library, a notebook or pytest, not by our Python.  Not imported.

# Signatures a caller imposes: signal handlers get (signum, frame); Jinja's sandbox
# calls ``call(__self, ...)``; lxml's Resolver.resolve gets pubid.
signum  # signal handlers (build/batch.py, time_limit.py, tests/test_time_limit.py)
frame  # signal handlers
__self  # jinja2 SandboxedEnvironment.call's first parameter (report/templates.py)
pubid  # lxml etree.Resolver.resolve (tests/word/ooxml.py)

# Called from notebooks/report.ipynb, which vulture does not read.
show_official  # build/notebook.py
show_report  # build/notebook.py
write_outputs  # build/notebook.py

# Read by the library we hand the object to.
_.timeout_func  # nbclient reads the per-cell time-out from it (build/engines.py)
_.execute_managed_notebook  # papermill's Engine interface (build/engines.py)
_._check_value  # argparse checks each value with it; overridden (cli.py)
_.kernel_spec  # jupyter_client's KernelManager property, overridden (build/kernel.py)
intercepted_binops  # jinja2 sandbox: which operators go through call_binop (report/templates.py)
_.__qualname__  # shown by jinja2 in errors (report/templates.py)
_.disabled  # ipywidgets: greys out a button (review/ui.py)
_.freeze_panes  # openpyxl worksheet setting (review/status.py, sources/roster)
_.comment  # openpyxl cell comment (sources/roster)
_.formatColumns  # openpyxl sheet protection (sources/roster)
_.formatRows  # openpyxl sheet protection (sources/roster)
_.autoFilter  # openpyxl sheet protection (sources/roster)
_.compress_type  # zipfile.ZipInfo: how the entry is stored (word/_oxml.py)
_.first_line_indent  # python-docx paragraph format (tests/sources/importer/corpus.py)

# Read only by a page's Jinja template.
saved_since  # review/session.py Item, shown by review/review_head.html.j2

# Python protocols.
__getattr__  # module-level lazy import (form/__init__.py)
__format__  # format() and f-strings call it (report/fields.py)

# pytest: read by name.
pytestmark  # marks every test of a module
pytest_configure  # pytest hook (tests/word/conftest.py)
pytest_runtest_makereport  # pytest hook (tests/conftest.py: a skip for want of a tool fails under run.sh)
run_properties  # run in a subprocess by name (tests/report/test_hypothesis_params.py)

# JupyterHub reads these: its config object's settings (hub/config.py) and the classes
# it loads by name (hub/authenticator.py, hub/spawner.py).
KitAuthenticator
KitSpawner
authenticate
check_allowed
refresh_user
pre_spawn_start  # JupyterHub calls it before starting a server (must-change password)
_.jupyterhub_message  # the HTTPError attribute JupyterHub shows on its error page
authentication  # Authenticator.check_allowed's signature
_.hub_ip
_.hub_port
_.api_url
_.db_url
_.cookie_secret_file
_.pid_file
_.authenticator_class
_.allow_all
_.auth_refresh_age
_.refresh_pre_spawn
_.spawner_class
_.home_dir_template
_.http_timeout
_.default_url
_.template_paths
_.cookie_max_age_days
_.tornado_settings
_.allow_named_servers
_.shutdown_on_logout
_.redirect_to_server
_.cleanup_servers
_.cleanup_proxy
_.log_level
_.services
_.last_activity_interval

# Used by bench/bench_hub.py (bench/ is not in vulture's paths).
_.idle
