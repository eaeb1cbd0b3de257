-- One row per OCI billing line (a cost report), FOCUS columns in snake_case.
{{ focus_line_items_renamed(source('bronze_oci', 'oci_billing_line_items')) }}
