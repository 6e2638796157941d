"""The anonymous reporter's side: the report form and tracking by receipt."""
