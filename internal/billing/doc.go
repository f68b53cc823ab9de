// Package billing holds the fee rules that the API and the workflows share: Beijing
// months, crediting a paid recharge order exactly once, and charging a batch of live
// IVR apps their monthly rent. Every change of balance goes through ledger.Post.
package billing
