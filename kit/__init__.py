"""述职报告 kit: role templates + parameter files → reports in official document layout."""

__version__ = "0.1.0"
