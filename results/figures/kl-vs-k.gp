# gnuplot script (armebm): KL of lookahead-k students on E(3,4) P=2 (k = T-1 is M(r):
# KL = 0, not drawn); each family's bound 2T eps_k in its colour, dashed
set encoding utf8
do for [fmt in "svg pdf"] {
  if (fmt eq "svg") { set terminal svg size 510,375 dynamic font 'sans,11' } else { if (strstrt(GPVAL_TERMINALS, "pdfcairo") == 0) { break }; set terminal pdfcairo size 3.4in,2.5in font 'sans,7' }
  set output 'kl-vs-k.'.fmt
  set logscale y
  set format y '10^{%L}'
  set key right top font ',7'
  set xtics 1
  set xlabel 'lookahead depth k (0: myopic, q = r)'
  set ylabel 'KL(p_q ‖ p_R)  and  2Tε_k'
  plot 'kl-vs-k.dat' index 0 using 1:($2 > 1e-30 ? $2 : 1/0) title 'dyadic:seed=1' with linespoints lc 1 lw 2 pt 7 ps 0.6, \
    '' index 0 using 1:($4 > 0 ? $4 : 1/0) title 'dyadic:seed=1: 2Tε_k' with linespoints lc 1 dt 2 lw 2 pt 6 ps 0.6, \
    'kl-vs-k.dat' index 1 using 1:($2 > 1e-30 ? $2 : 1/0) title 'summod3' with linespoints lc 2 lw 2 pt 7 ps 0.6, \
    '' index 1 using 1:($4 > 0 ? $4 : 1/0) title 'summod3: 2Tε_k' with linespoints lc 2 dt 2 lw 2 pt 6 ps 0.6, \
    'kl-vs-k.dat' index 2 using 1:($2 > 1e-30 ? $2 : 1/0) title 'palindrome' with linespoints lc 3 lw 2 pt 7 ps 0.6, \
    '' index 2 using 1:($4 > 0 ? $4 : 1/0) title 'palindrome: 2Tε_k' with linespoints lc 3 dt 2 lw 2 pt 6 ps 0.6
  unset output
}
