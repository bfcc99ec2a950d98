from oeuvre.cli import main

raise SystemExit(main())
