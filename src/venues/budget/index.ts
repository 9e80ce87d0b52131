export { budgetKey, serveBudget } from "./budget-keeper.js";
export { type RequestBudget, WindowBudget } from "./request-budget.js";
export { type BudgetMode, SharedBudget } from "./shared-budget.js";
export { checkWeightLimit, type WeightLimit, WeightWindow } from "./weight-window.js";
