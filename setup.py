"""The package list: every kit* package, plus the repository's top-level notebooks/,
templates/ and params/ shipped inside it as kit/_shipped/… (see [tool.setuptools]
package-dir in pyproject.toml and kit/project.py).  pyproject.toml cannot list found
packages and mapped ones together, hence this file.  Its scratch folder is not build/,
where the kit writes the reports."""

from setuptools import find_packages, setup

SHIPPED = ["kit._shipped.notebooks", "kit._shipped.templates", "kit._shipped.params"]

setup(packages=[*find_packages(include=["kit", "kit.*"]), *SHIPPED],
      options={"build": {"build_base": ".setuptools-build"}})
