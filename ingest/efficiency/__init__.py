"""What moves cost per token: pictures of the efficiency marts, read from the published warehouse."""
