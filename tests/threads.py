"""Running actions in threads at the same moment, each on its own database connection."""

import threading

from django.db import connection


def at_once(actions) -> list[BaseException]:
    """Run each action in its own thread, all released together; return what they raised."""
    start = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action):
        try:
            start.wait()
            action()
        except BaseException as error:  # noqa: BLE001 - collected and checked by the caller
            errors.append(error)
        finally:
            # Each thread opened its own connection, as a request would: close it.
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors
