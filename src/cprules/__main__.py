"""``python -m cprules``: the same program as the ``cprules`` console script.

Example::

    python -m cprules check examples/stoke-late-core-group.yaml --pack stoke --as-of 2024-06-01
"""

from cprules.cli import main

if __name__ == "__main__":
    main()
