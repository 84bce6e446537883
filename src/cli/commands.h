/* commands.h - the subcommands; each lives in src/cmd_<name>.c. */
#ifndef SEQSENT_COMMANDS_H
#define SEQSENT_COMMANDS_H

int cmd_tokenize(int argc, char **argv);
int cmd_vocab(int argc, char **argv);
int cmd_pad(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_vectors(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_pretrain(int argc, char **argv);
int cmd_distill(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_nn(int argc, char **argv);
int cmd_analogies(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_ensemble(int argc, char **argv);
int cmd_quantize(int argc, char **argv);
int cmd_split(int argc, char **argv);
int cmd_serve(int argc, char **argv);

#endif
