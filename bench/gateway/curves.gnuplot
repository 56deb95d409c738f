# The cost curves of bench/run.sh --curves (plot_curves.sh): throughput, p99 latency and CPU
# per exchange against the request body's size and against the number of
# connections, the hub's full pipeline next to nginx as a TLS proxy.
# bench/run.sh passes: data (4 blocks: body/hub, body/nginx,
# connections/hub, connections/nginx; columns variable, value, scenario,
# req/s, p99 ms, CPU ms per exchange), out (the SVG) and title.
set terminal svg size 1200,820 dynamic enhanced font "sans,11" background "#ffffff"
set output out
set multiplot layout 2,3 title title
set grid
set key below vertical maxrows 2
set logscale x 2
set style data linespoints
hub = "hub (audited)"
proxy = "nginx"

set xlabel "request body (KB), 32 connections"
set xrange [0.7:370]
set xtics (1, 16, 256)
set ylabel "requests per second"
plot data index 0 using 2:4 title hub pt 7, '' index 1 using 2:4 title proxy pt 5
set ylabel "p99 latency (ms)"
plot data index 0 using 2:5 title hub pt 7, '' index 1 using 2:5 title proxy pt 5
set ylabel "CPU per exchange (ms)"
plot data index 0 using 2:6 title hub pt 7, '' index 1 using 2:6 title proxy pt 5

set xlabel "keep-alive connections, 1.4 KB envelope"
set xrange [22:2900]
set xtics (32, 256, 2000)
set ylabel "requests per second"
plot data index 2 using 2:4 title hub pt 7, '' index 3 using 2:4 title proxy pt 5
set ylabel "p99 latency (ms)"
plot data index 2 using 2:5 title hub pt 7, '' index 3 using 2:5 title proxy pt 5
set ylabel "CPU per exchange (ms)"
plot data index 2 using 2:6 title hub pt 7, '' index 3 using 2:6 title proxy pt 5
unset multiplot
