import sys

from tfrank.cli.main import main

sys.exit(main())
