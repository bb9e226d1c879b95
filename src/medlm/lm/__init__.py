"""medlm's own transformer language model: tokenizer, layers, heads, checkpoints, import."""
