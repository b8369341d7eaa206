same() { if [ "$1" = "$2" ]; then echo true; else echo false; fi; }
