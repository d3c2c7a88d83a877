#!/bin/bash
# Session 11: RSS with the 1M list, packaged options against native-heap trimming and a heap that
# shrinks after the load; then the leanest options without the admin web listener.
cd /work/main
R=bench/results/2026-11-27-session11/rss
JAR=/work/abjars/s11-b.jar REPS=2 RSS_AFTER=10 CONFIGS="packaged packaged-trim lean" OUT=$R/full bench/startup.sh
JAR=/work/abjars/s11-b.jar REPS=2 RSS_AFTER=10 CONFIGS="packaged lean" SERVE_EXTRA="--http off" OUT=$R/http-off bench/startup.sh
echo ALLDONE > /tmp/rss-s11.done
