"""From parameters to reports: the parameter schema, the runner, HTML rendering and screenshots."""
