"""The Hugging Face dataset: the features of every config, the tokenizer, the rows (paired converters and views),
the build into Parquet and the card."""
