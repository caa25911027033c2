def handler(event, context):\n    pass
