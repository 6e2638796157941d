"""The township office and county administration."""
