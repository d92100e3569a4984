"""Where figures and templates come from besides the form: Excel rosters (花名册),
sample reports (kit import) and last year's parameter files (kit roll)."""
