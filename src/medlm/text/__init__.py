"""medlm.text."""
