# gnuplot script (armebm): measured KL against eps with each bound, students of one
# teacher (dyadic:seed=1) on E(3,4) P=2
T = 4
set encoding utf8
do for [fmt in "svg pdf"] {
  if (fmt eq "svg") { set terminal svg size 510,375 dynamic font 'sans,11' } else { if (strstrt(GPVAL_TERMINALS, "pdfcairo") == 0) { break }; set terminal pdfcairo size 3.4in,2.5in font 'sans,7' }
  set output 'kl-vs-eps.'.fmt
  set logscale xy
  set format xy '10^{%L}'
  set key right bottom font ',7' spacing 0.9
  set xlabel 'ε = ‖q − M(r)‖_∞'
  set ylabel 'KL(p_q ‖ p_R)'
  plot [1e-7:20] 2*T*x title '2Tε (Prop. 3)' with lines lc rgb 'black' lw 2, \
    T*x**2/2 title 'Tε^2/2 (Hoeffding)' with lines lc rgb 'black' dt 2 lw 2, \
    'kl-vs-eps.dat' index 0 using 1:2 title 'uniform' with linespoints lc 1 pt 4 ps 0.6, \
    'kl-vs-eps.dat' index 1 using 1:2 title 'sign' with linespoints lc 2 pt 5 ps 0.6, \
    'kl-vs-eps.dat' index 2 using 1:2 title 'sparse' with linespoints lc 3 pt 6 ps 0.6, \
    'kl-vs-eps.dat' index 3 using 1:2 title 'value' with linespoints lc 4 pt 7 ps 0.6, \
    'kl-vs-eps.dat' index 4 using 1:2 title 'adv-fwd' with linespoints lc 5 pt 8 ps 0.6, \
    'kl-vs-eps.dat' index 5 using 1:2 title 'adv-rev' with linespoints lc 6 pt 9 ps 0.6
  unset output
}
