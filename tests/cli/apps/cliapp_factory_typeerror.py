"""A ``create_app`` factory whose own code raises TypeError."""


def create_app():
    return "a" + 1
