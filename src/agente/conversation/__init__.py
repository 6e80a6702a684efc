"""The conversation: understanding guests (nlu), carrying them through a stay (dialogue),
and answering in their language (replies)."""
