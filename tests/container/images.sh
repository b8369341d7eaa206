#!/bin/bash
# images.sh: builds the container images the container tests run, offline,
# from what this machine has (no registry is reached), and prints nothing
# on success. Sourced by the tests; needs $CONTAINERS_CONF set.
#
#   localhost/flowrun-test-busybox:1  busybox-static, /usr/local/bin/only-in-image,
#                                     default user 1000 (so that a file owned by
#                                     the invoking user shows flowrun chose it)
#   localhost/flowrun-test-python:1   the same with python3 from the host
#
# An image already present is kept: a change to a recipe takes a new tag.

# rootfs DIR: a busybox root in DIR
rootfs() {
	local dir=$1 applet
	mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/usr/bin" "$dir/usr/local/bin" "$dir/root" ||
		return 1
	chmod 1777 "$dir/tmp"
	cp /bin/busybox "$dir/bin/busybox" || return 1
	for applet in $(/bin/busybox --list); do
		[ -e "$dir/bin/$applet" ] || ln -s busybox "$dir/bin/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/tmp:/bin/sh\n' > "$dir/etc/passwd"
	printf 'root:x:0:\nuser:x:1000:\n' > "$dir/etc/group"
	printf '#!/bin/sh\necho "only in the image: $*"\n' > "$dir/usr/local/bin/only-in-image"
	chmod 755 "$dir/usr/local/bin/only-in-image"
}

# import DIR TAG: DIR packed as image TAG
import_image() {
	tar -C "$1" -c . | podman import --change 'USER=1000' \
		--change 'ENV=PATH=/usr/local/bin:/usr/bin:/bin' - "$2" > /dev/null 2>&1
}

build_images() {
	local work py lib
	if ! podman image exists localhost/flowrun-test-busybox:1; then
		work=$(mktemp -d) || return 1
		rootfs "$work/root" && import_image "$work/root" localhost/flowrun-test-busybox:1
		local rc=$?
		rm -rf "$work"
		[ $rc -eq 0 ] || { echo "images.sh: cannot build the busybox image"; return 1; }
	fi
	if ! podman image exists localhost/flowrun-test-python:1; then
		work=$(mktemp -d) || return 1
		py=$(readlink -f /usr/bin/python3)
		lib=$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
		# python3, the libraries it links and its standard library, tests left out
		rootfs "$work/root" && cp "$py" "$work/root/usr/bin/python3" &&
			for l in $(ldd "$py" | grep -o '/[^ ]*'); do
				mkdir -p "$work/root$(dirname "$l")" && cp -L "$l" "$work/root$l" || break
			done &&
			mkdir -p "$work/root$lib" &&
			tar -C "$lib" --exclude=test --exclude=__pycache__ --exclude=idlelib \
				--exclude=tkinter --exclude=ensurepip -c . | tar -C "$work/root$lib" -x &&
			import_image "$work/root" localhost/flowrun-test-python:1
		local rc=$?
		rm -rf "$work"
		[ $rc -eq 0 ] || { echo "images.sh: cannot build the python image"; return 1; }
	fi
}
