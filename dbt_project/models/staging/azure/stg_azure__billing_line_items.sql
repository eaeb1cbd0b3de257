-- One row per Azure billing line (a Cost Management cost details export), FOCUS columns in snake_case.
{{ focus_line_items_renamed(source('bronze_azure', 'azure_billing_line_items')) }}
