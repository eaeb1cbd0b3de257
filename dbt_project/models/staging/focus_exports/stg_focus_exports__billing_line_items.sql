-- One row per line of any provider's FOCUS export, FOCUS columns in snake_case (the export's x_ columns stay in
-- bronze and in focus_billing).
{{ focus_line_items_renamed(source('bronze_focus_exports', 'focus_billing_line_items')) }}
