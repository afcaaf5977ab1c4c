"""What Wengu does with its tables: one module per capability, each taking one context value."""
