"""The report model: field types, role templates, parameter files, and one official's
rendered report (what every output is made from)."""
