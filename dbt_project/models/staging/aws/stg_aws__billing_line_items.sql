-- One row per AWS billing line item (CUR 2.0, legacy CUR or AWS FOCUS export), FOCUS columns in snake_case.
{{ focus_line_items_renamed(source('bronze_aws', 'aws_billing_line_items')) }}
