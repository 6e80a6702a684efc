"""What the agent says: templates per language, with dates and money in the guest's locale."""
