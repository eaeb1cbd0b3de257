"""Monthly chargeback reports and the month close: read from the published warehouse, written as files."""
