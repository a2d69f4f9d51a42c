from pouch_server.daemon import main

main()
