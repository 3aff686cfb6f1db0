"""What the Python benchmarks share: running `kizuna` on a data directory, and a publisher
(organisation, user, token, grant) to drive a collection over TAXII. Standard library only."""
import json
import subprocess
import sys


def kz(kizuna, data_dir, *args):
    """Runs `kizuna --data-dir DATA_DIR ARGS...` and returns its standard output; exits with
    the command's error when it fails."""
    proc = subprocess.run([kizuna, "--data-dir", data_dir, *args], capture_output=True)
    if proc.returncode != 0:
        sys.exit("kizuna %s: %s" % (" ".join(args), proc.stderr.decode()[-2000:]))
    return proc.stdout.decode()


def add_publisher(kizuna, data_dir, collection, name, nation="JPN"):
    """Adds organisation NAME of NATION, a publisher user NAME with a token, and a read and
    write grant on COLLECTION (id or alias). Returns (organisation id, token)."""
    org = json.loads(kz(kizuna, data_dir, "admin", "org", "add", "--name", name, "--nation", nation, "--json"))["id"]
    kz(kizuna, data_dir, "admin", "user", "add", name, "--org", org, "--role", "publisher")
    token = json.loads(kz(kizuna, data_dir, "admin", "token", "create", name, "--json"))["token"]
    kz(kizuna, data_dir, "admin", "grant", collection, "--org", org, "--read", "--write")
    return org, token
