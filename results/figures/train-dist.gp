# gnuplot script (armebm train); data in train-dist.dat, one index per (space, target, lr)
set terminal svg size 1040,840 dynamic font 'sans,10'
set output 'train-dist.svg'
set multiplot layout 2,2 title "Distances to the optimum: before mapping ||c(sum_t q) - c(R*)|| (solid), after mapping ||c_{-1}(q) - c_{-1}(M(r*))|| (dashed)" font 'sans,11'
set logscale xy
set format x '10^{%L}'
set format y '10^{%L}'
set xlabel 'step'
set ylabel 'distance (sup norm)'
set key bottom left font 'sans,8'
set title 'F(8,4), zipf(s=1)'
plot 'train-dist.dat' index 0 using ($1>0?$1:1/0):($2>0?$2:1/0) title 'before lr=0.003' with linespoints lc 1 lw 2 pt 7 ps 0.5, \
     '' index 0 using ($1>0?$1:1/0):($3>0?$3:1/0) title 'after lr=0.003' with linespoints lc 1 lw 2 dt 2 pt 6 ps 0.5, \
     'train-dist.dat' index 1 using ($1>0?$1:1/0):($2>0?$2:1/0) title 'before lr=0.001' with linespoints lc 2 lw 2 pt 7 ps 0.5, \
     '' index 1 using ($1>0?$1:1/0):($3>0?$3:1/0) title 'after lr=0.001' with linespoints lc 2 lw 2 dt 2 pt 6 ps 0.5, \
     'train-dist.dat' index 2 using ($1>0?$1:1/0):($2>0?$2:1/0) title 'before lr=0.0001' with linespoints lc 3 lw 2 pt 7 ps 0.5, \
     '' index 2 using ($1>0?$1:1/0):($3>0?$3:1/0) title 'after lr=0.0001' with linespoints lc 3 lw 2 dt 2 pt 6 ps 0.5
set title 'F(8,4), softmax-normal(t=0.1)'
plot 'train-dist.dat' index 3 using ($1>0?$1:1/0):($2>0?$2:1/0) title 'before lr=0.003' with linespoints lc 1 lw 2 pt 7 ps 0.5, \
     '' index 3 using ($1>0?$1:1/0):($3>0?$3:1/0) title 'after lr=0.003' with linespoints lc 1 lw 2 dt 2 pt 6 ps 0.5, \
     'train-dist.dat' index 4 using ($1>0?$1:1/0):($2>0?$2:1/0) title 'before lr=0.001' with linespoints lc 2 lw 2 pt 7 ps 0.5, \
     '' index 4 using ($1>0?$1:1/0):($3>0?$3:1/0) title 'after lr=0.001' with linespoints lc 2 lw 2 dt 2 pt 6 ps 0.5, \
     'train-dist.dat' index 5 using ($1>0?$1:1/0):($2>0?$2:1/0) title 'before lr=0.0001' with linespoints lc 3 lw 2 pt 7 ps 0.5, \
     '' index 5 using ($1>0?$1:1/0):($3>0?$3:1/0) title 'after lr=0.0001' with linespoints lc 3 lw 2 dt 2 pt 6 ps 0.5
set title 'F(4,8), zipf(s=1)'
plot 'train-dist.dat' index 6 using ($1>0?$1:1/0):($2>0?$2:1/0) title 'before lr=0.003' with linespoints lc 1 lw 2 pt 7 ps 0.5, \
     '' index 6 using ($1>0?$1:1/0):($3>0?$3:1/0) title 'after lr=0.003' with linespoints lc 1 lw 2 dt 2 pt 6 ps 0.5, \
     'train-dist.dat' index 7 using ($1>0?$1:1/0):($2>0?$2:1/0) title 'before lr=0.001' with linespoints lc 2 lw 2 pt 7 ps 0.5, \
     '' index 7 using ($1>0?$1:1/0):($3>0?$3:1/0) title 'after lr=0.001' with linespoints lc 2 lw 2 dt 2 pt 6 ps 0.5, \
     'train-dist.dat' index 8 using ($1>0?$1:1/0):($2>0?$2:1/0) title 'before lr=0.0001' with linespoints lc 3 lw 2 pt 7 ps 0.5, \
     '' index 8 using ($1>0?$1:1/0):($3>0?$3:1/0) title 'after lr=0.0001' with linespoints lc 3 lw 2 dt 2 pt 6 ps 0.5
set title 'F(4,8), softmax-normal(t=0.1)'
plot 'train-dist.dat' index 9 using ($1>0?$1:1/0):($2>0?$2:1/0) title 'before lr=0.003' with linespoints lc 1 lw 2 pt 7 ps 0.5, \
     '' index 9 using ($1>0?$1:1/0):($3>0?$3:1/0) title 'after lr=0.003' with linespoints lc 1 lw 2 dt 2 pt 6 ps 0.5, \
     'train-dist.dat' index 10 using ($1>0?$1:1/0):($2>0?$2:1/0) title 'before lr=0.001' with linespoints lc 2 lw 2 pt 7 ps 0.5, \
     '' index 10 using ($1>0?$1:1/0):($3>0?$3:1/0) title 'after lr=0.001' with linespoints lc 2 lw 2 dt 2 pt 6 ps 0.5, \
     'train-dist.dat' index 11 using ($1>0?$1:1/0):($2>0?$2:1/0) title 'before lr=0.0001' with linespoints lc 3 lw 2 pt 7 ps 0.5, \
     '' index 11 using ($1>0?$1:1/0):($3>0?$3:1/0) title 'after lr=0.0001' with linespoints lc 3 lw 2 dt 2 pt 6 ps 0.5
unset multiplot
