"""The S3 bucket the tests make on moto's server (the ``bucket`` fixture in tests/conftest.py)."""

BUCKET = "acme-billing"
ENVIRONMENT = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
