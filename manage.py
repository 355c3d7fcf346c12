#!/usr/bin/env python
from tokodesk.cli import main

if __name__ == "__main__":
    main()
