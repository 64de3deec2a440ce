# debs.sh - sourced by the classifier's gather scripts.
# unpack_debs PKGS CACHE NAME... : for each Debian package NAME not yet
# unpacked in PKGS/NAME, takes its .deb from CACHE (apt-get download into
# CACHE when missing) and unpacks it with dpkg-deb -x.  No root needed.
unpack_debs() {
	local pkgs=$1 cache=$2 p deb
	shift 2
	mkdir -p "$pkgs" "$cache"
	for p in "$@"; do
		[ -d "$pkgs/$p" ] && continue
		deb=$(ls "$cache"/"${p}"_*.deb 2>/dev/null | head -1 || true)
		if [ -z "$deb" ]; then
			(cd "$cache" && apt-get download -qq "$p")
			deb=$(ls "$cache"/"${p}"_*.deb | head -1)
		fi
		echo "unpacking $(basename "$deb")"
		dpkg-deb -x "$deb" "$pkgs/$p"
	done
}
