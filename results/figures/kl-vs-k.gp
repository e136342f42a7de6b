# gnuplot script (armebm): KL of lookahead-k students
set terminal svg size 800,560 dynamic font 'sans,11'
set output 'kl-vs-k.svg'
set logscale y
set format y '10^{%L}'
set key right top
set xtics 1
set xlabel 'lookahead depth k (0 = myopic q = r)'
set ylabel 'KL(p_q || p_R)'
set title 'Lookahead students on E(3,4) (k = T-1 is M(r): KL = 0, not drawn)'
plot 'kl-vs-k.dat' index 0 using 1:($2 > 1e-30 ? $2 : 1/0) title 'dyadic:seed=1' with linespoints lw 2, '' index 0 using 1:($4 > 0 ? $4 : 1/0) title 'dyadic:seed=1: 2T eps_k' with lines dt 2, \
  'kl-vs-k.dat' index 1 using 1:($2 > 1e-30 ? $2 : 1/0) title 'summod3' with linespoints lw 2, '' index 1 using 1:($4 > 0 ? $4 : 1/0) title 'summod3: 2T eps_k' with lines dt 2, \
  'kl-vs-k.dat' index 2 using 1:($2 > 1e-30 ? $2 : 1/0) title 'palindrome' with linespoints lw 2, '' index 2 using 1:($4 > 0 ? $4 : 1/0) title 'palindrome: 2T eps_k' with lines dt 2
