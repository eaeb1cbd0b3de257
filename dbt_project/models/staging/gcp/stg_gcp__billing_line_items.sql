-- One row per GCP billing export row (credits other than commitment/sustained-use are rows of their own).
{{ focus_line_items_renamed(source('bronze_gcp', 'gcp_billing_line_items')) }}
