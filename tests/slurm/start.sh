#!/bin/bash
# start.sh DIR: starts a single-node Slurm cluster (munged, slurmctld,
# slurmd) with everything under DIR, as root, on 127.0.0.1; prints the
# SLURM_CONF clients need. stop.sh DIR ends exactly these daemons, by pid.
set -eu
dir=$(mkdir -p "$1" && cd "$1" && pwd)
mkdir -p "$dir/spool/ctld" "$dir/spool/d" "$dir/log" "$dir/run"
node=$(hostname -s)
cpus=$(nproc)
# RealMemory at most what slurmd detects, else the node drains
mem=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
mem=$((mem * 9 / 10))
head -c 1024 /dev/urandom > "$dir/munge.key"
chmod 600 "$dir/munge.key"
munged --socket="$dir/run/munge.socket" --key-file="$dir/munge.key" \
	--pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" \
	--seed-file="$dir/run/munge.seed" --force
port=$((6817 + RANDOM % 500))
cat > "$dir/slurm.conf" <<CONF
ClusterName=flowrun-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/run/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/spool/ctld
SlurmdSpoolDir=$dir/spool/d
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,sched_interval=2,bf_interval=1
Epilog=/bin/true
ReturnToService=2
MpiDefault=none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$dir/slurm.conf"
slurmd -f "$dir/slurm.conf"
for _ in $(seq 1 100); do
	sinfo -h -o '%T' 2> /dev/null | grep -Eq '^(idle|mixed)' && break
	sleep 0.1
done
sinfo -h -o '%T' | grep -Eq '^(idle|mixed)' || { echo "start.sh: the node did not come up" >&2; exit 1; }
echo "$dir/slurm.conf"
