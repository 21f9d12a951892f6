"""Settings, with the signing key written in the code."""

SECRET_KEY = "s3cr3t-Key-9d8f7a6b"  # expect: FA105
