"""medlm.privacy."""
