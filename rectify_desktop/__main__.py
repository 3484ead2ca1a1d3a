from rectify_desktop.cli import main

raise SystemExit(main())
