# gnuplot script (armebm): measured KL against eps with each bound
set terminal svg size 800,560 dynamic font 'sans,11'
set output 'kl-vs-eps.svg'
set logscale xy
set format xy '10^{%L}'
set key left top
set xlabel 'eps = max |q - M(r)|'
set ylabel 'KL(p_q || p_R)'
set title 'Students of one teacher on E(3,4): measured KL vs predicted bounds'
T = 4
plot [1e-7:20] 2*T*x title '2T eps (Prop. 3)' with lines lw 2, \
  T*x**2/2 title 'T eps^2/2 (Hoeffding)' with lines dt 2 lw 2, \
  'kl-vs-eps.dat' index 0 using 1:2 title 'uniform' with linespoints, \
  'kl-vs-eps.dat' index 1 using 1:2 title 'sign' with linespoints, \
  'kl-vs-eps.dat' index 2 using 1:2 title 'sparse' with linespoints, \
  'kl-vs-eps.dat' index 3 using 1:2 title 'value' with linespoints, \
  'kl-vs-eps.dat' index 4 using 1:2 title 'adv-fwd' with linespoints, \
  'kl-vs-eps.dat' index 5 using 1:2 title 'adv-rev' with linespoints
