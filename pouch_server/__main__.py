from pouch_server.start import main

main()
